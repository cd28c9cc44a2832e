"""`python -m bot` is the same as the `zhibu` command."""

from bot.cli import main

raise SystemExit(main())
