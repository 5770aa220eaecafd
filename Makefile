# qms: the two commands are `make run` and `make test` (see README.md); `make test-fast` skips slow tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install migrate demo run test test-fast lint format check bench coverage messages clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo

# Web server, Celery worker and beat together on the embedded defaults; Ctrl-C stops all three.
run: demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py rundev --host $(HOST) --port $(PORT)

# The suite runs on every core (pytest-xdist), a module's tests on one worker (their fixtures
# are built once), in pytest-django's order (tests that commit last: xdist would otherwise start the
# biggest modules first); each worker has its own test database.
XDIST := -n auto --dist loadfile --no-loadscope-reorder

test: install
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# Everyday feedback: the suite without the tests marked slow (make test and CI run everything).
test-fast: install
	$(BIN)/python -m pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

coverage: install
	$(BIN)/python -m pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python -m bench

messages: install
	$(BIN)/python manage.py makemessages -l en --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf var/test.sqlite3* .pytest_cache .coverage htmlcov
