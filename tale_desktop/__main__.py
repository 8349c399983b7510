from tale_desktop.cli import main

raise SystemExit(main())
