"""Hand-written business rules on top of the generated skeletons, one package per service.

A service's package may also live outside the project: any `handlers/<service>/` folder
on the import path joins this package (`pkgutil.extend_path`), so a user's own service
is a folder of their own, served by `botogen serve --service <service>`.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
