"""Language data packages (data only; code lives in searchkz.analysis and searchkz.stemmer)."""
