"""Draw static/img/social.png, the site's card image for shared links (1200 × 630), with
Pillow (a dependency of Wagtail) and the DejaVu fonts of Debian's fonts-dejavu-core.

    .venv/bin/python scripts/make-social-image.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONTS = Path("/usr/share/fonts/truetype/dejavu")
OUT = Path(__file__).resolve().parent.parent / "static" / "img" / "social.png"
NAVY, RED, GOLD, PALE = (11, 42, 82), (200, 16, 46), (246, 196, 0), (214, 224, 238)


def main():
    image = Image.new("RGB", (1200, 630), NAVY)
    draw = ImageDraw.Draw(image)
    bold = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 64)
    mark = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 40)
    regular = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 34)
    draw.rectangle([0, 0, 1200, 10], fill=RED)  # the site header's top rule
    draw.rounded_rectangle([80, 110, 300, 180], radius=8, outline=GOLD, width=4)
    draw.text((100, 118), "DVCTT", font=mark, fill=GOLD)
    draw.text((80, 230), "Kho giải pháp hay về", font=bold, fill="white")
    draw.text((80, 310), "dịch vụ công trực tuyến", font=bold, fill="white")
    draw.text(
        (80, 430), "Ai đã áp dụng giải pháp nào, khi nào, theo văn bản nào", font=regular, fill=PALE
    )
    draw.text((80, 480), "và đạt kết quả gì: bộ, ngành, tỉnh, thành phố.", font=regular, fill=PALE)
    image.save(OUT, optimize=True)
    print(f"written: {OUT.name}")


if __name__ == "__main__":
    main()
