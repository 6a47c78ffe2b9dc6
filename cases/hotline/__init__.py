"""12345 hotline work orders: parsing exports, routing, deadlines, replies."""
