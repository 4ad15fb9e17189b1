from jakdata.cli import main

raise SystemExit(main())
