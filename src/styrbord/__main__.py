"""`python -m styrbord` is the same as the `styrbord` command."""

from styrbord.cli import main

main()
