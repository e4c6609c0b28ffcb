"""NATO–Central Asia knowledge base: load, validate, link, render and export the data in data/."""
