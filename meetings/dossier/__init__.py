"""The meeting's file as people and clients see it: the meeting and its
invitee list in the API and on pages, and the printed proposal. It sits above
every domain it shows (the meeting, its invitees, check-in figures, the
agenda), so those domains never import upwards to be displayed."""
