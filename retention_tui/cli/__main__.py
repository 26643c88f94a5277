import sys

from retention_tui.cli import main

sys.exit(main())
