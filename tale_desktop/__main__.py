from tale_desktop.cli import main

# Guarded, as multiprocessing asks of a main module (a big import is read in a spawned process).
if __name__ == "__main__":
    raise SystemExit(main())
