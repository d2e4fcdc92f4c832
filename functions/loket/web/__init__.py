"""The web edge: the Flask app factory, its blueprints, and error handling."""
