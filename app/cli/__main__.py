"""`python -m policygraph.app.cli`: the `policygraph` command."""

from policygraph.app.cli import main

if __name__ == "__main__":  # not when a worker process imports this module by name
    main()
