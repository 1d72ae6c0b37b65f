# AtomicUpdate boot script for U-Boot (compile with mkscr.sh into boot.scr).
# The contract with the agent is ../README.md; the installation and fw_env.config are in README.md here.
# Nothing read from the environment copies reaches a command or the kernel command line before its
# shape is checked; anything invalid boots the known-good entry.

# ---- Board settings: edit these when installing (they are never read from the environment copies) ----
# The boot partition holding this script and the two environment copies.
setenv au_boot_dev "${devtype} ${devnum}:${distro_bootpart}"
# Where pool paths (/@deploy/<version>/boot/vmlinuz, .../initrd.img, /.atomicupdate/good.env) are read
# from: the btrfs pool partition if this U-Boot reads btrfs, otherwise the boot partition, which the
# agent mirrors them into.
setenv au_pool_dev "${au_boot_dev}"
setenv au_cmdline "root=/dev/vda2 rootwait rw console=ttyAMA0"
setenv au_boot_kernel 'booti ${kernel_addr_r} ${ramdisk_addr_r}:${au_initrd_size} ${fdtcontroladdr}'
setenv au_env_a uboot.env
setenv au_env_b uboot-redund.env
# Size of each copy in bytes, in hex: the third column of fw_env.config.
setenv au_envsize 4000

# ---- Shapes (U-Boot's regex library has no ranges or counts: the classes are spelled out) ----
setenv au_re_entry "^@deploy/[abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+~-]+$"
# 65 characters after the prefix: one more than a version may have.
setenv au_re_too_long "^@deploy/................................................................."
# "." and ".." would name the deploy directory itself or the top of the pool, not a deployment.
setenv au_re_dots "^@deploy/[.][.]?$"
setenv au_re_tries "^[0123456789]$"
# setexpr prints "<value>: No match" for each check that does not match: expected console noise.

# Scratch memory from the kernel's load address up, free until the kernel is loaded; 2 MiB apart
# because 'env export' clears up to the board's own environment size.
setexpr au_buf_a ${kernel_addr_r} + 0
setexpr au_buf_b ${kernel_addr_r} + 200000
setexpr au_buf_import ${kernel_addr_r} + 400000
setexpr au_buf_out ${kernel_addr_r} + 600000
# A copy is CRC32 | flag byte | data; 'env import -c' wants CRC32 | data.
setexpr au_datasize ${au_envsize} - 5
setexpr au_importsize ${au_envsize} - 1

# ---- Read and check both copies ----
setenv au_ok_a 0
setenv au_ok_b 0
for au_copy in a b; do
  if test ${au_copy} = a; then setenv au_file ${au_env_a}; setenv au_buf ${au_buf_a}; else setenv au_file ${au_env_b}; setenv au_buf ${au_buf_b}; fi
  setenv au_good
  setenv au_trial
  setenv au_tries
  setenv au_valid 0
  setenv filesize 0
  if load ${au_boot_dev} ${au_buf} ${au_file} ${au_envsize} && itest ${filesize} == ${au_envsize}; then
    cp.b ${au_buf} ${au_buf_import} 4
    setexpr au_from ${au_buf} + 5
    setexpr au_to ${au_buf_import} + 4
    cp.b ${au_from} ${au_to} ${au_datasize}
    # The whitelist: no other name from the copy enters U-Boot's environment.
    if env import -c ${au_buf_import} ${au_importsize} au_good au_trial au_tries; then
      setenv au_valid 1
    fi
  fi
  if test ${au_valid} = 1; then
    setexpr au_match sub "${au_re_entry}" ok "${au_good}" || setenv au_valid 0
    setexpr au_match sub "${au_re_too_long}" ok "${au_good}" && setenv au_valid 0
    setexpr au_match sub "${au_re_dots}" ok "${au_good}" && setenv au_valid 0
    if test -n "${au_trial}"; then
      setexpr au_match sub "${au_re_entry}" ok "${au_trial}" || setenv au_valid 0
      setexpr au_match sub "${au_re_too_long}" ok "${au_trial}" && setenv au_valid 0
      setexpr au_match sub "${au_re_dots}" ok "${au_trial}" && setenv au_valid 0
      setexpr au_match sub "${au_re_tries}" ok "${au_tries}" || setenv au_valid 0
    fi
  fi
  if test ${au_valid} = 1; then
    setexpr au_at ${au_buf} + 4
    setexpr.b au_flag *${au_at}
    if test ${au_copy} = a; then
      setenv au_ok_a 1; setenv au_flag_a ${au_flag}; setenv au_good_a "${au_good}"; setenv au_trial_a "${au_trial}"; setenv au_tries_a "${au_tries}"
    else
      setenv au_ok_b 1; setenv au_flag_b ${au_flag}; setenv au_good_b "${au_good}"; setenv au_trial_b "${au_trial}"; setenv au_tries_b "${au_tries}"
    fi
  else
    echo "atomicupdate: environment copy ${au_copy} (${au_file}) is missing, corrupt or invalid"
  fi
done

# ---- Pick the newer valid copy, as U-Boot and libubootenv do: higher flag, 255 wraps to 0 ----
setenv au_use none
if test ${au_ok_a} = 1 && test ${au_ok_b} = 1; then
  setenv au_use a
  if itest ${au_flag_a} == ff && itest ${au_flag_b} == 0; then
    setenv au_use b
  elif itest ${au_flag_b} == ff && itest ${au_flag_a} == 0; then
    setenv au_use a
  elif itest ${au_flag_b} > ${au_flag_a}; then
    setenv au_use b
  fi
elif test ${au_ok_a} = 1; then
  setenv au_use a
elif test ${au_ok_b} = 1; then
  setenv au_use b
fi

setenv au_good
setenv au_trial
setenv au_tries
setenv au_rollback 0
setenv au_write 0
if test ${au_use} = a; then
  setenv au_good "${au_good_a}"; setenv au_trial "${au_trial_a}"; setenv au_tries "${au_tries_a}"; setenv au_flag ${au_flag_a}; setenv au_file ${au_env_b}
elif test ${au_use} = b; then
  setenv au_good "${au_good_b}"; setenv au_trial "${au_trial_b}"; setenv au_tries "${au_tries_b}"; setenv au_flag ${au_flag_b}; setenv au_file ${au_env_a}
fi

# ---- Decide ----
if test ${au_use} = none; then
  # No valid copy: the known-good entry the agent records next to the pool (a GRUB environment block).
  setenv au_reason fallback
  setenv filesize 0
  if load ${au_pool_dev} ${au_buf_import} /.atomicupdate/good.env 400 && env import -t ${au_buf_import} ${filesize} au_good; then
    setexpr au_match sub "${au_re_entry}" ok "${au_good}" || setenv au_good
    setexpr au_match sub "${au_re_too_long}" ok "${au_good}" && setenv au_good
    setexpr au_match sub "${au_re_dots}" ok "${au_good}" && setenv au_good
  else
    setenv au_good
  fi
  setenv au_entry "${au_good}"
elif test -z "${au_trial}"; then
  setenv au_reason good
  setenv au_entry "${au_good}"
elif test ${au_tries} = 0; then
  setenv au_reason rollback
  setenv au_entry "${au_good}"
  setenv au_trial
  setenv au_tries 0
  setenv au_rollback 1
  setenv au_write 1
else
  setenv au_reason trial
  setenv au_entry "${au_trial}"
  setexpr au_tries ${au_tries} - 1
  setenv au_write 1
fi

if test -z "${au_entry}"; then
  echo "atomicupdate: no valid environment copy and no valid /.atomicupdate/good.env: nothing safe to boot"
  setenv au_write 0
fi

# ---- Write before booting: the older copy gets the new state with the next flag ----
if test ${au_write} = 1; then
  env export -c -s ${au_importsize} ${au_buf_import} au_good au_trial au_tries
  cp.b ${au_buf_import} ${au_buf_out} 4
  setexpr au_next ${au_flag} + 1
  if itest ${au_next} == 100; then setenv au_next 0; fi
  setexpr au_at ${au_buf_out} + 4
  mw.b ${au_at} ${au_next}
  setexpr au_from ${au_buf_import} + 4
  setexpr au_to ${au_buf_out} + 5
  cp.b ${au_from} ${au_to} ${au_datasize}
  if save ${au_boot_dev} ${au_buf_out} ${au_file} ${au_envsize}; then
    echo "atomicupdate: wrote ${au_file}: au_good=${au_good} au_trial=${au_trial} au_tries=${au_tries}"
  elif test ${au_reason} = trial; then
    # Without the countdown a trial that never comes up would boot forever.
    echo "atomicupdate: cannot write ${au_file}; not booting the trial"
    setenv au_reason good
    setenv au_entry "${au_good}"
  else
    echo "atomicupdate: cannot write ${au_file}"
  fi
fi

# ---- Boot; a trial whose kernel or initrd cannot be loaded falls back to known-good ----
for au_pass in 1 2; do
  if test -n "${au_entry}"; then
    setenv bootargs "${au_cmdline} rootflags=subvol=${au_entry} atomicupdate.entry=${au_entry}"
    if test ${au_rollback} = 1; then setenv bootargs "${bootargs} atomicupdate.rollback=1"; fi
    echo "atomicupdate: booting ${au_entry} (${au_reason}, environment copy ${au_use})"
    echo "atomicupdate: bootargs ${bootargs}"
    if load ${au_pool_dev} ${ramdisk_addr_r} /${au_entry}/boot/initrd.img; then
      setenv au_initrd_size ${filesize}
      if load ${au_pool_dev} ${kernel_addr_r} /${au_entry}/boot/vmlinuz; then
        run au_boot_kernel
      fi
    fi
    echo "atomicupdate: cannot boot ${au_entry}"
    if test ${au_reason} = trial; then
      setenv au_reason rollback
      setenv au_rollback 1
      setenv au_entry "${au_good}"
    else
      setenv au_entry
    fi
  fi
done
