"""Reading: the reader pane, the story controller and the details header, read-along."""
