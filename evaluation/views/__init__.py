"""Views of the evaluation app, one module per screen family: thin, fetching through the
permission-checking helpers of departments.permissions and calling one service each."""
