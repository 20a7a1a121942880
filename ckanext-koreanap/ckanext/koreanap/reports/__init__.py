"""The error-report centre (plugin ``koreanap_reports``): the public reports
problems in published data; quality evaluators and publishers answer them
within the legal deadline."""
