"""A run, or runs A and B, as a slide: its text, its layout, its painting, its export."""
