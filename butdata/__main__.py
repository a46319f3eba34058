import sys

from butdata.cli.main import main

sys.exit(main())
