"""Bitrix24 BI Source Inspector: view a BI Builder data source with its secrets masked."""

__version__ = "0.1.0"
APP_NAME = "b24-inspector"
APP_DISPLAY_NAME = "Bitrix24 BI Source Inspector"
