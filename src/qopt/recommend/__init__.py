"""qopt's SQL recommendation engine: fingerprints, text rules on the sqlglot AST, metric insights, rewrites, savings.

Rule ids and their definitions: reference/rules.md (a contract). Entry points: `analyze`, `analyze_script`,
`analyze_row`, `fingerprint`.
"""

from qopt.recommend.fingerprint import Fingerprint, fingerprint, mask_literals

__all__ = ["Fingerprint", "fingerprint", "mask_literals"]
