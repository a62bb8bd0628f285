// Copyright (c) 2026 helion.openstack contributors
// GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

// vcsimlite: a small vCenter simulator for the helion.openstack tests, built on the
// govmomi 0.24.2 simulator package that Debian ships (golang-github-vmware-govmomi-dev).
//
// It builds a topology from flags, applies test scenarios (DRS off, hosts in maintenance
// or disconnected, distributed and standard port groups with VLAN ids, datastores shared by
// one cluster or local to one host), then prints "VCSIM_URL=<url>" once it is ready and
// serves until SIGTERM/SIGINT.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io/ioutil"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func inList(name string, list []string) bool {
	for _, item := range list {
		if item == name {
			return true
		}
	}
	return false
}

// nameVlans parses "NAME:VLAN,NAME:VLAN" (VLAN may be omitted: 0).
func nameVlans(s string) ([]string, []int32) {
	var names []string
	var vlans []int32
	for _, item := range splitList(s) {
		name, vlan := item, 0
		if i := strings.LastIndex(item, ":"); i > 0 {
			n, err := strconv.Atoi(item[i+1:])
			if err != nil {
				die(fmt.Errorf("bad VLAN in %q", item))
			}
			name, vlan = item[:i], n
		}
		names = append(names, name)
		vlans = append(vlans, int32(vlan))
	}
	return names, vlans
}

func die(err error) {
	fmt.Fprintln(os.Stderr, "vcsimlite:", err)
	os.Exit(1)
}

func main() {
	listen := flag.String("l", "127.0.0.1:8989", "listen address host:port (port 0 picks a free port)")
	plain := flag.Bool("plain", false, "serve plain HTTP instead of HTTPS")
	username := flag.String("username", "", "accept only this user (default: any non-empty user and password)")
	password := flag.String("password", "", "password for -username")
	dc := flag.Int("dc", 1, "datacenters")
	cluster := flag.Int("cluster", 1, "clusters per datacenter")
	host := flag.Int("host", 3, "hosts per cluster")
	standalone := flag.Int("standalone-host", 1, "standalone hosts per datacenter")
	ds := flag.Int("ds", 1, "LocalDS_N datastores mounted on every host of a datacenter")
	pg := flag.Int("pg", 1, "DVS port groups DCn_DVPGm per datacenter (0: no distributed switch)")
	vm := flag.Int("vm", 0, "virtual machines per resource pool and standalone host")
	dvpg := flag.String("dvpg", "", "extra DVS port groups per datacenter: NAME:VLAN,... (needs -pg >= 1)")
	stdpg := flag.String("std-pg", "", "standard port groups on vSwitch0 of every host: NAME:VLAN,...")
	clusterDS := flag.Bool("cluster-ds", false, "datastore shared-<cluster> on the hosts of each cluster")
	hostDS := flag.Bool("host-ds", false, "datastore local-<host> on each cluster host")
	drsOff := flag.String("drs-off", "", "clusters with DRS disabled: NAME,...")
	haOn := flag.String("ha-on", "", "clusters with HA enabled: NAME,... ('*' for all)")
	maint := flag.String("maintenance", "", "hosts in maintenance mode: NAME,...")
	disc := flag.String("disconnected", "", "disconnected hosts: NAME,...")
	flag.Parse()

	m := simulator.VPX()
	m.Datacenter = *dc
	m.Cluster = *cluster
	m.ClusterHost = *host
	m.Host = *standalone
	m.Datastore = *ds
	m.Portgroup = *pg
	m.Machine = *vm
	if err := m.Create(); err != nil {
		die(err)
	}
	defer m.Remove()

	// Scenario tweaks the simulator API cannot make (ReconfigureComputeResource ignores DRS/HA).
	drsOffList, haList := splitList(*drsOff), splitList(*haOn)
	for _, e := range simulator.Map.All("ClusterComputeResource") {
		c := e.(*simulator.ClusterComputeResource)
		cfg := c.ConfigurationEx.(*types.ClusterConfigInfoEx)
		if inList(c.Name, drsOffList) {
			cfg.DrsConfig.Enabled = types.NewBool(false)
		}
		if inList(c.Name, haList) || inList("*", haList) {
			cfg.DasConfig.Enabled = types.NewBool(true)
		}
	}
	maintList, discList := splitList(*maint), splitList(*disc)
	stdNames, stdVlans := nameVlans(*stdpg)
	for _, e := range simulator.Map.All("HostSystem") {
		h := e.(*simulator.HostSystem)
		if inList(h.Name, maintList) {
			h.Runtime.InMaintenanceMode = true
		}
		if inList(h.Name, discList) {
			h.Runtime.ConnectionState = types.HostSystemConnectionStateDisconnected
		}
		if h.Config != nil && h.Config.Network != nil {
			for i, name := range stdNames {
				h.Config.Network.Portgroup = append(h.Config.Network.Portgroup, types.HostPortGroup{
					Key:     "key-vim.host.PortGroup-" + name,
					Vswitch: "key-vim.host.VirtualSwitch-vSwitch0",
					Spec:    types.HostPortGroupSpec{Name: name, VlanId: stdVlans[i], VswitchName: "vSwitch0"},
				})
			}
		}
	}

	m.Service.Listen = &url.URL{Host: *listen}
	if *username != "" {
		m.Service.Listen.User = url.UserPassword(*username, *password)
	}
	if !*plain {
		m.Service.TLS = new(tls.Config)
	}
	s := m.Service.NewServer()
	defer s.Close()

	dirs, err := applyClientScenario(s.URL, *dvpg, *clusterDS, *hostDS)
	for _, dir := range dirs {
		defer os.RemoveAll(dir)
	}
	if err != nil {
		s.Close()
		m.Remove()
		for _, dir := range dirs {
			_ = os.RemoveAll(dir)
		}
		die(err)
	}

	fmt.Println("VCSIM_URL=" + s.URL.String())
	os.Stdout.Sync()

	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, os.Interrupt)
	<-c
}

// applyClientScenario makes the changes that go through the simulator's own API.
// It returns the datastore directories it created, which the caller removes on exit.
func applyClientScenario(u *url.URL, dvpg string, clusterDS, hostDS bool) ([]string, error) {
	var dirs []string
	ctx := context.Background()
	client, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		return dirs, err
	}
	defer func() { _ = client.Logout(ctx) }()

	names, vlans := nameVlans(dvpg)
	if len(names) > 0 {
		switches := append(simulator.Map.All("DistributedVirtualSwitch"), simulator.Map.All("VmwareDistributedVirtualSwitch")...)
		if len(switches) == 0 {
			return dirs, fmt.Errorf("-dvpg needs a distributed switch: set -pg 1 or more")
		}
		for _, e := range switches {
			dvs := object.NewDistributedVirtualSwitch(client.Client, e.Reference())
			var specs []types.DVPortgroupConfigSpec
			for i, name := range names {
				specs = append(specs, types.DVPortgroupConfigSpec{
					Name:     name,
					Type:     string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding),
					NumPorts: 8,
					DefaultPortConfig: &types.VMwareDVSPortSetting{
						Vlan: &types.VmwareDistributedVirtualSwitchVlanIdSpec{VlanId: vlans[i]},
					},
				})
			}
			task, err := dvs.AddPortgroup(ctx, specs)
			if err != nil {
				return dirs, err
			}
			if err = task.Wait(ctx); err != nil {
				return dirs, err
			}
		}
	}

	if !clusterDS && !hostDS {
		return dirs, nil
	}
	for _, e := range simulator.Map.All("ClusterComputeResource") {
		c := e.(*simulator.ClusterComputeResource)
		var dir string
		if clusterDS {
			if dir, err = ioutil.TempDir("", "govcsim-shared-"); err != nil {
				return dirs, err
			}
			dirs = append(dirs, dir)
		}
		for _, ref := range c.Host {
			h := simulator.Map.Get(ref).(*simulator.HostSystem)
			dss := object.NewHostDatastoreSystem(client.Client, *h.ConfigManager.DatastoreSystem)
			if clusterDS {
				if _, err = dss.CreateLocalDatastore(ctx, "shared-"+c.Name, dir); err != nil {
					return dirs, err
				}
			}
			if hostDS {
				local, err := ioutil.TempDir("", "govcsim-local-")
				if err != nil {
					return dirs, err
				}
				dirs = append(dirs, local)
				if _, err = dss.CreateLocalDatastore(ctx, "local-"+h.Name, local); err != nil {
					return dirs, err
				}
			}
		}
	}
	return dirs, nil
}
