from citywatch.cli.main import main

raise SystemExit(main())
