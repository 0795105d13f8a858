"""``python -m compare`` runs the command line."""

from compare.cli import main

main()
