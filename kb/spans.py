"""Spans [start, end) of anything ordered (characters of a text, days): one way to merge them."""


def merged(spans):
    """Overlapping or touching spans joined into one, in order."""
    found = []
    for start, end in sorted(spans):
        if found and start <= found[-1][1]:
            found[-1] = (found[-1][0], max(end, found[-1][1]))
        else:
            found.append((start, end))
    return found
