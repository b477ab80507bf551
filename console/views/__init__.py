"""Console pages, one module per area; ``console.routes`` assembles their routers."""
