"""The Qt user interface of Comptoir (widgets only; the core reaches them through ShopApp's signals)."""
