"""``python -m flows.cli`` is ``vanban``."""
from flows.cli import main

main()
