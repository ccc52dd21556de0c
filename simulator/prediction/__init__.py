"""The prediction model: a small deterministic event loop (``events``), per-request costs
measured from single requests (``costs``) and the site it simulates (``model``). Always
labelled as a prediction wherever it is shown."""
