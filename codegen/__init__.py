"""The generator: botocore service models -> IR -> templates -> black -> generated/."""
