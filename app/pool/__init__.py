"""The shopper pool: the visit board shoppers claim from, and the rules for who may visit where
(docs/money.md)."""
