"""WeChat Official Account and WeCom: the webhook, crypto, XML, replies, pushes, menu."""
