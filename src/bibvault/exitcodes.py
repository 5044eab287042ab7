"""The process exit codes, in one place."""

import enum


class ExitCode(enum.IntEnum):
    """What ``bibvault`` returns to the shell."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERRUPTED = 130
