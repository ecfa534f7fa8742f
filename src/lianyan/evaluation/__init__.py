"""Evaluation and awards (评估与表彰): the yearly scheme, evaluators' scores with participation
figures beside each candidate, and the awards the city designates and publishes."""
