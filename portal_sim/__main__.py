import sys

from portal_sim.cli import main

sys.exit(main())
