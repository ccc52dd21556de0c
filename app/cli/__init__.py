"""The command line, ``async-lanes run|compare|predict|views``, beside the engine: it uses
:mod:`simulator` as any program would. Qt is imported only to draw pictures, and only when
one is asked for; Django only when something is run."""
