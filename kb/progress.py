"""The progress bar of the long commands (search rebuilds, imports)."""

import time

from django.core.management.base import OutputWrapper


def number(value):
    """12345 -> "12.345", as Vietnamese writes thousands."""
    return f"{value:,}".replace(",", ".")


class ProgressBar:
    """`[#########.....] 1.234/5.000 dòng (30%)` on one line, redrawn with `\\r` at most every
    `interval` seconds and always at the end, where the line is ended. Called as
    bar(done, total); a total under `minimum` draws nothing (a short file needs no bar)."""

    def __init__(self, stream, unit="", width=30, interval=0.2, minimum=0):
        self.stream = stream  # a command's OutputWrapper or a plain text stream
        self.unit = f" {unit}" if unit else ""
        self.width = width
        self.interval = interval
        self.minimum = minimum
        self._last = None  # monotonic time of the last draw
        self._drawn = False

    def _write(self, text):
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()

    def __call__(self, done, total):
        if total < self.minimum:
            return
        now = time.monotonic()
        if done < total and self._last is not None and now - self._last < self.interval:
            return
        self._last = now
        filled = self.width * done // total if total else self.width
        percent = 100 * done // total if total else 100
        bar = "#" * filled + "." * (self.width - filled)
        self._write(f"\r[{bar}] {number(done)}/{number(total)}{self.unit} ({percent}%)")
        self._drawn = True
        if done >= total:
            self.finish()

    def finish(self):
        """End the bar's line, so whatever follows starts on a line of its own."""
        if self._drawn:
            self._write("\n")
            self._drawn = False
