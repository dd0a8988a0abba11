// KlasterMQTT module
