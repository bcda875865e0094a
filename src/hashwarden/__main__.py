"""``python -m hashwarden`` runs the command line."""

from hashwarden.cli.app import main

main()
