// KlasterStore module
