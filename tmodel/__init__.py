"""tmodel: threat modeling and security audit of fintech API integrations."""

__version__ = "0.1.0"
FORMAT_VERSION = 1
