from kb.formats import *  # noqa: F403
