# ovsgw: a Docker remote network driver on Open vSwitch.
#   make            build/ovsgw
#   sudo make test  unit + integration tests (installs what it needs)
#   sudo make demo  the seed recipe, end to end, with a report
#   sudo make run   start OVS if needed and serve the plugin socket
#   sudo make bench / bench-ovn   benchmarks (docs/benchmarks*.md)

CC      ?= cc
VERSION := 0.1.0
PKGS    := libmicrohttpd jansson libnl-3.0 libnl-route-3.0
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wjump-misses-init -D_GNU_SOURCE \
           -DOVSGW_VERSION='"$(VERSION)"' -Ilib -Iflows -Iplugin \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread

# SANITIZE=1: ASan + UBSan, built apart in build-san/ so that the two
# builds never mix objects.
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=undefined \
           -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
B       := build-san
else
B       := build
endif
export ASAN_OPTIONS := detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
# Layers: lib/ (bottom), flows/ (pure), plugin/ (I/O and orchestration);
# a folder never includes from one above it.
LIB_SRC := lib/util.c lib/addr.c lib/timeval.c lib/nd.c \
           flows/flows.c flows/policy.c flows/ofp.c \
           plugin/log.c plugin/options.c plugin/request.c plugin/http.c \
           plugin/ovsdb.c plugin/vswitch.c plugin/link.c plugin/ofconn.c \
           plugin/model.c plugin/state.c plugin/flowset.c plugin/ovsgw.c \
           plugin/teardown.c plugin/spares.c plugin/bridge.c \
           plugin/restore.c plugin/tick.c plugin/statusdoc.c \
           plugin/proc.c plugin/nfrules.c plugin/netfilter.c \
           plugin/uplink.c plugin/ports.c plugin/status.c plugin/driver.c \
           plugin/ovnnb.c plugin/ovn.c plugin/ndproxy.c
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
UNIT    := lib options flows policy ofp ofconn ovsdb ovnnb request http fuzz \
           status state model nfrules
UNIT_BIN:= $(UNIT:%=$(B)/test/test_%)

.SECONDARY:
.PHONY: all deps test unit valgrind integration ovn demo run bench bench-kernel fuzz \
        fuzz-merge clean test-kernel
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

$(B)/test/test_fuzz: $(B)/test/unit/test_fuzz.o \
                     $(B)/test/fuzz/fuzz_input.o $(B)/libovsgw.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# libFuzzer (clang): 'make fuzz' runs for FUZZ_SECONDS on the committed
# corpus; new inputs go to build-fuzz/corpus, crashes to build-fuzz/ (copy
# them to test/fuzz/regress/ once fixed: the unit tests replay that).
FUZZ_SECONDS ?= 60
FZ      := build-fuzz
FZFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Ilib -Iflows -Iplugin \
           -fsanitize=fuzzer-no-link,address,undefined \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
$(FZ)/fuzz_input: test/fuzz/fuzz_input.c $(LIB_SRC)
	@mkdir -p $(FZ)/corpus
	clang $(FZFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz: $(FZ)/fuzz_input
	cd $(FZ) && ./fuzz_input -max_total_time=$(FUZZ_SECONDS) \
	    -print_final_stats=1 -artifact_prefix=$(CURDIR)/$(FZ)/ \
	    corpus $(CURDIR)/test/fuzz/corpus

# Adds the new inputs that add coverage to the committed corpus.
fuzz-merge: $(FZ)/fuzz_input
	$(FZ)/fuzz_input -merge=1 test/fuzz/corpus $(FZ)/corpus

deps:
	bash test/deps.sh

unit: $(UNIT_BIN) $(B)/ofp_encode
	@set -e; for t in $(UNIT_BIN); do \
	    (cd test && ../$$t); done
	OFP_ENCODE=$(CURDIR)/$(B)/ofp_encode bash test/check-golden.sh

# Flow lines in, binary OpenFlow out: checked against ovs-ofctl.
$(B)/ofp_encode: $(B)/test/tools/ofp_encode.o $(B)/libovsgw.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A static UDP tool for the busybox test image.
$(B)/udpcat: test/tools/udpcat.c
	@mkdir -p $(B)
	$(CC) -O2 -static -Wall -Werror -o $@ $<

# The unit tests under valgrind: no error, no leak.
valgrind: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
	    (cd test && valgrind -q --leak-check=full \
	        --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
	        --error-exitcode=1 ../$$t >/dev/null) || \
	    { echo "valgrind: $$t failed"; exit 1; }; \
	    echo "valgrind: $$t: no errors, no leaks"; done

# TCP transfers with a content check, static for the busybox test image.
$(B)/tcpcat: test/tools/tcpcat.c
	@mkdir -p $(B)
	$(CC) -O2 -static -Wall -Werror -o $@ $<

# Forged neighbor discovery, static for the busybox test image.
$(B)/ndsend: test/tools/ndsend.c
	@mkdir -p $(B)
	$(CC) -O2 -static -Wall -Werror -o $@ $<

# A client that opens many half-sent connections, for the tests.
$(B)/holdconns: test/tools/holdconns.c
	@mkdir -p $(B)
	$(CC) -O2 -Wall -Werror -o $@ $<

integration: $(B)/ovsgw $(B)/udpcat $(B)/tcpcat $(B)/ndsend $(B)/holdconns
	OVSGW_BIN=$(CURDIR)/$(B)/ovsgw OVSGW_UDPCAT=$(CURDIR)/$(B)/udpcat \
	    OVSGW_TCPCAT=$(CURDIR)/$(B)/tcpcat OVSGW_NDSEND=$(CURDIR)/$(B)/ndsend \
	    OVSGW_HOLDCONNS=$(CURDIR)/$(B)/holdconns \
	    OVSGW_SANITIZED=$(SANITIZE:0=) bash test/integration/run.sh

# OVN mode on three simulated hosts (network namespaces with their own
# OVS and ovn-controller, one NB/SB central, Geneve between them).
ovn: $(B)/ovsgw $(B)/udpcat $(B)/tcpcat $(B)/ndsend
	OVSGW_BIN=$(CURDIR)/$(B)/ovsgw OVSGW_UDPCAT=$(CURDIR)/$(B)/udpcat \
	    OVSGW_TCPCAT=$(CURDIR)/$(B)/tcpcat OVSGW_NDSEND=$(CURDIR)/$(B)/ndsend \
	    bash test/ovn/run.sh

# The unit tests need only the build deps; the integration tests run
# against private OVS, dockerd and OVN instances and need root.
test: deps
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) ovn

# The integration tests on the OVS kernel datapath, in a qemu guest (TCG)
# with Debian's kernel; see docs/kernel-datapath.md.  KERNEL_TESTS="all" or
# a list of tests; KERNEL_CACHE (default /var/cache/ovsgw-kernel).
test-kernel:
	bash test/deps.sh kernel
	$(MAKE) $(B)/ovsgw $(B)/udpcat $(B)/tcpcat $(B)/ndsend $(B)/holdconns
	KERNEL_BUILD=$(CURDIR)/$(B) OVSGW_BIN=$(CURDIR)/$(B)/ovsgw \
	    OVSGW_UDPCAT=$(CURDIR)/$(B)/udpcat bash test/kernel/run.sh

# The benchmarks on the OVS kernel datapath, in the guest of test-kernel
# (scaled down for emulation), written to docs/benchmarks-kernel.md; see
# docs/kernel-datapath.md.  BENCH_* knobs go to bench/run.sh in the guest.
bench-kernel:
	bash test/deps.sh kernel
	$(MAKE) $(B)/ovsgw $(B)/udpcat $(BENCH_TOOLS)
	KERNEL_MODE=bench KERNEL_BUILD=$(CURDIR)/$(B) OVSGW_BIN=$(CURDIR)/$(B)/ovsgw \
	    OVSGW_UDPCAT=$(CURDIR)/$(B)/udpcat BENCH_ATTACH=$(CURDIR)/$(B)/bench/attach \
	    bash test/kernel/run.sh

# Benchmarks are not tests: ratios against baselines measured in the same
# run, written to docs/benchmarks.md.
bench: deps $(B)/ovsgw $(B)/udpcat
	OVSGW_BIN=$(CURDIR)/$(B)/ovsgw OVSGW_UDPCAT=$(CURDIR)/$(B)/udpcat \
	    bash bench/run.sh

demo: deps $(B)/ovsgw
	bash scripts/demo.sh

run: deps $(B)/ovsgw
	bash scripts/run.sh

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(B)/lib $(B)/plugin $(B)/flows $(B)/test -name '*.d' -type f 2>/dev/null)

# --- Packaging (issue 5): managed plugin, make install, Debian package. ---
#   make plugin [PLUGIN_NAME=ovsgw]      build/plugin + 'docker plugin create'
#   make install [PREFIX=/usr/local] [DESTDIR=]
#   make uninstall [PREFIX=/usr/local] [DESTDIR=]
#   make deb                             build/ovsgw_$(VERSION)_<arch>.deb
# PKG_BIN is the binary that gets packaged (default $(B)/ovsgw); an
# absolute path is taken as it is, without rebuilding it.
PKG_BIN     ?= $(B)/ovsgw
PLUGIN_NAME ?= ovsgw
PLUGIN_DIR  ?= $(B)/plugin-rootfs
PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/ovsgw
UNITDIR     ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
DEB_DIR     ?= $(B)
DEB_ARCH    := $(shell dpkg --print-architecture 2>/dev/null)
DEB_FILE    := $(DEB_DIR)/ovsgw_$(VERSION)_$(DEB_ARCH).deb

.PHONY: plugin install uninstall deb
plugin: $(PKG_BIN)
	PLUGIN_NAME='$(PLUGIN_NAME)' bash packaging/mkplugin.sh $(PKG_BIN) $(PLUGIN_DIR)

# The unit's ExecStart follows SBINDIR.
install: $(PKG_BIN)
	install -D -m 0755 $(PKG_BIN) $(DESTDIR)$(SBINDIR)/ovsgw
	@mkdir -p $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/ovsgw|$(SBINDIR)/ovsgw|g' packaging/ovsgw.service \
	    > $(DESTDIR)$(UNITDIR)/ovsgw.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/ovsgw.service
	install -D -m 0644 packaging/ovsgw.8 $(DESTDIR)$(MANDIR)/man8/ovsgw.8
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -D -m 0644 docs/install.md $(DESTDIR)$(DOCDIR)/install.md
	install -D -m 0644 examples/compose.yml $(DESTDIR)$(DOCDIR)/examples/compose.yml

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ovsgw $(DESTDIR)$(UNITDIR)/ovsgw.service \
	    $(DESTDIR)$(MANDIR)/man8/ovsgw.8
	rm -rf $(DESTDIR)$(DOCDIR)

# A binary package built with dpkg-deb from a 'make install' into a staging
# tree (PREFIX=/usr: /usr/sbin/ovsgw, /lib/systemd/system/ovsgw.service).
deb: $(PKG_BIN)
	@test -n "$(DEB_ARCH)" || { echo "make deb: dpkg is needed"; exit 1; }
	rm -rf $(DEB_DIR)/deb-root
	$(MAKE) --no-print-directory install PKG_BIN=$(abspath $(PKG_BIN)) \
	    PREFIX=/usr DESTDIR=$(abspath $(DEB_DIR))/deb-root
	bash packaging/mkdeb.sh $(DEB_DIR)/deb-root $(VERSION) $(DEB_ARCH) $(DEB_FILE)
	rm -rf $(DEB_DIR)/deb-root

# --- Shell (issue 10): every shell script shellcheck-clean, sources
# followed (-x); a finding fails the target.  'make deps' installs it.
SH_FILES = $(shell find . -path ./.git -prune -o -path './build*' -prune \
             -o -name '*.sh' -print | sort) .ci/run
.PHONY: shellcheck
shellcheck:
	@command -v shellcheck >/dev/null || { echo "shellcheck: not installed (make deps)"; exit 1; }
	shellcheck -x $(SH_FILES)

# --- Benchmarks (issue 15): the C tools of bench/, with the daemon's
# warnings and -Werror; bench/run.sh finds them beside $(B)/ovsgw.
BENCH_TOOLS := $(B)/bench/attach
$(B)/bench/attach: $(B)/bench/attach.o
	$(CC) $(LDFLAGS) -o $@ $^
bench: $(BENCH_TOOLS)
-include $(wildcard $(B)/bench/*.d)

# OVN mode's benchmarks on the simulated hosts of 'make ovn', written to
# docs/benchmarks-ovn.md (QUICK=1: a short try run, to build/bench/).
.PHONY: bench-ovn
bench-ovn: deps $(B)/ovsgw $(B)/udpcat $(B)/tcpcat $(B)/ndsend $(BENCH_TOOLS)
	OVSGW_BIN=$(CURDIR)/$(B)/ovsgw OVSGW_UDPCAT=$(CURDIR)/$(B)/udpcat \
	    OVSGW_TCPCAT=$(CURDIR)/$(B)/tcpcat OVSGW_NDSEND=$(CURDIR)/$(B)/ndsend \
	    BENCH_ATTACH=$(CURDIR)/$(B)/bench/attach bash bench/ovn.sh
