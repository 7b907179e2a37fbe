# ovsgw: a Docker remote network driver on Open vSwitch.
#   make            build/ovsgw
#   sudo make test  unit + integration tests (installs what it needs)
#   sudo make demo  the seed recipe, end to end, with a report
#   sudo make run   start OVS if needed and serve the plugin socket

CC      ?= cc
PKGS    := libmicrohttpd jansson libnl-3.0 libnl-route-3.0
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wjump-misses-init -D_GNU_SOURCE \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

B       := build
LIB_SRC := plugin/util.c plugin/log.c plugin/options.c plugin/request.c \
           plugin/http.c plugin/ovsdb.c plugin/link.c plugin/ofctl.c \
           plugin/driver.c flows/flows.c flows/policy.c
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
UNIT    := options flows policy request http
UNIT_BIN:= $(UNIT:%=$(B)/test/test_%)

.SECONDARY:
.PHONY: all deps test unit integration demo run clean
all: $(B)/ovsgw

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libovsgw.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(B)/ovsgw: $(B)/plugin/main.o $(B)/libovsgw.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/test/test_%: $(B)/test/unit/test_%.o $(B)/libovsgw.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

deps:
	bash test/deps.sh

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
	    (cd test && ../$$t); done
	bash test/check-golden.sh

# A static UDP tool for the busybox test image.
$(B)/udpcat: test/tools/udpcat.c
	@mkdir -p $(B)
	$(CC) -O2 -static -Wall -Werror -o $@ $<

integration: $(B)/ovsgw $(B)/udpcat
	bash test/integration/run.sh

# The unit tests need only the build deps; the integration tests run
# against private OVS and dockerd instances and need root.
test: deps
	$(MAKE) unit
	$(MAKE) integration

demo: deps $(B)/ovsgw
	bash scripts/demo.sh

run: deps $(B)/ovsgw
	bash scripts/run.sh

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
