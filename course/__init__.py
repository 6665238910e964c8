"""The course toolkit: what the notebooks import.

- ``course.setup()``: Django configured for the demo project
- ``await course.doctor()``: is everything the course needs here?
- ``course.serve()``: the demo under daphne, on a free port
- ``course.trace(app)``: the scope and events of your own traffic
- ``course.start_redis()``: a throwaway redis-server for this kernel
"""

from course.checkup import doctor
from course.environment import setup
from course.redis_server import start_redis
from course.servers import serve, stop_all
from course.trace import trace

__all__ = ["doctor", "serve", "setup", "start_redis", "stop_all", "trace"]
