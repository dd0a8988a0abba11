// KlasterHTTP module
