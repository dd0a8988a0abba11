import KlasterCLI

await KlasterMain.run()
