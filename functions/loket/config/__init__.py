"""The portal's process configuration, kept in git under site_config/ and validated at start."""

from loket.config.loader import ConfigError, load_portal_config
from loket.config.portal import PortalConfig

__all__ = ["ConfigError", "PortalConfig", "load_portal_config"]
