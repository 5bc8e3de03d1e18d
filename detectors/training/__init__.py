"""Training and evaluation: configs as data, a resumable loop, and one module per task."""
