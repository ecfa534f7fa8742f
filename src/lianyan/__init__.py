"""Lianyan (联研): the platform for regional-alliance teaching research in preschool education."""

__version__ = "0.1.0"
