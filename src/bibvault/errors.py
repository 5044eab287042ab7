"""The one exception type a stage raises when it cannot go on.

A stage (build, check, archive, add, import, merge, a .bst run, format sniffing)
raises a subclass of :class:`StageError` whose message says, for the user, what
went wrong; the command line prints it and exits 2. Keeping the base here, apart
from the stages, lets the command line recognise every such error without
importing every stage first.
"""

from __future__ import annotations


class StageError(Exception):
    """A stage could not go on; the message says why, in the user's terms."""
