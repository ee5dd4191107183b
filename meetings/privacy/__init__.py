"""Personal data (SPEC §11, PIPL): what is held on one doctor, exported whole
or erased, and how long signatures are kept. Sits on top of every domain that
holds something about a doctor."""
