// Owner: mqtt-ingest. Broker launcher, temp dirs, klaster binary runner.
