"""The command line, ``async-lanes run|compare|predict|views``. Qt is imported only to draw
pictures, and only when one is asked for."""
